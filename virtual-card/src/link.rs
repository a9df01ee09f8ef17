//! The edge: links a card to pcscd's vpcd driver over TCP (`virtual-card serve`).
//!
//! Two ways to meet vpcd (DESIGN §3):
//! - connect mode (`--vpcd ADDR`, the default): pcscd's vpcd listens, the card connects to it and
//!   reconnects with backoff whenever pcscd goes away and comes back;
//! - listen mode (`--listen ADDR`, "reversed"): the card listens and vpcd (configured with a
//!   `DEVICENAME host:0x8C7B` entry) connects to it. Bound to loopback unless
//!   `--allow-non-loopback` is given, so no other host can talk to the card. Caveat measured with
//!   pcscd 1.9.9 + vpcd 0.8 (Debian 12): in this mode pcscd aborts ("bit out of range 0 -
//!   FD_SETSIZE on fd_set") whenever a card connection ends — at start if nothing listens, and
//!   whenever the card process exits, even if the listening socket stays open. So a card in this
//!   mode must outlive pcscd; ci/ uses connect mode inside a private network namespace instead.
//!
//! On the wire every response frame goes out in one `write` with `TCP_NODELAY`, and `TCP_QUICKACK`
//! is re-armed before each read: vpcd writes a frame's length and payload separately, and without
//! both a round trip stalls on Nagle and delayed ACKs (~44 ms instead of ~0.1 ms).
//!
//! What answers the frames is a [`Responder`]; [`answer`] is the pure step from a decoded message
//! to the payload to send back.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::vpcd::{self, Control, FrameDecoder, FrameError, Message};

pub mod card;
mod responder;

pub use responder::{Responder, SW_MEMORY_FAILURE};

/// Default address of pcscd's vpcd driver (first reader, "Virtual PCD 00 00").
pub const DEFAULT_VPCD_ADDR: &str = "127.0.0.1:35963";

/// Status word for a command longer than the link accepts (wrong length).
pub const SW_WRONG_LENGTH: [u8; 2] = [0x67, 0x00];

/// How often blocking socket calls wake up to look at the stop flag.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The pure step: one decoded vpcd message in, the payload to send back (if any) out.
/// Power on/off and reset get no answer; get-ATR and APDUs do.
pub fn answer(responder: &mut dyn Responder, message: &Message) -> Option<Vec<u8>> {
    match message {
        Message::Control(Control::PowerOff) => {
            responder.power_off();
            None
        }
        Message::Control(Control::PowerOn) => {
            responder.power_on();
            None
        }
        Message::Control(Control::Reset) => {
            responder.power_off();
            responder.power_on();
            None
        }
        Message::Control(Control::GetAtr) => Some(responder.atr()),
        Message::Apdu(command) => Some(responder.execute(command)),
    }
}

/// Where the link meets vpcd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Connect out to pcscd's vpcd, which listens (vpcd's default mode).
    Connect(SocketAddr),
    /// Listen; vpcd connects to us (reversed mode).
    Listen(SocketAddr),
}

/// Errors of the link (the card's own errors are status words).
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Refused to listen on an address other hosts can reach.
    #[error(
        "refusing to listen on non-loopback address {0} (pass --allow-non-loopback to override)"
    )]
    NonLoopback(SocketAddr),
    /// Could not bind the listening socket.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: io::Error,
    },
    /// A socket option or read/write failed outside a session.
    #[error("socket error: {0}")]
    Io(#[from] io::Error),
}

/// Reconnect delays: doubling from `initial` up to `max`, back to `initial` after a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// A backoff starting at `initial` and capped at `max`.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            next: initial,
        }
    }

    /// The delay to wait now; the one after it is twice as long (up to the cap).
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }

    /// Called after a successful connection.
    pub fn reset(&mut self) {
        self.next = self.initial;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(Duration::from_millis(50), Duration::from_secs(2))
    }
}

/// Why a session on one connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// vpcd closed the connection (pcscd stopped, or the reader was removed).
    PeerClosed,
    /// The stop flag was raised.
    Stopped,
}

/// Serves one connected vpcd until it goes away or `stop` is raised.
pub fn serve_connection(
    stream: &TcpStream,
    responder: &mut dyn Responder,
    stop: &AtomicBool,
) -> io::Result<SessionEnd> {
    let socket = socket2::SockRef::from(stream);
    let mut stream = stream;
    socket.set_tcp_nodelay(true)?;
    stream.set_read_timeout(Some(POLL_INTERVAL))?;
    let mut decoder = FrameDecoder::default();
    let mut buffer = vec![0u8; 8192];
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(SessionEnd::Stopped);
        }
        // Re-armed before every read: the kernel drops back to delayed ACKs on its own.
        socket.set_tcp_quickack(true)?;
        let received = match stream.read(&mut buffer) {
            Ok(0) => return Ok(SessionEnd::PeerClosed),
            Ok(received) => received,
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                continue
            }
            Err(error) if is_disconnect(&error) => return Ok(SessionEnd::PeerClosed),
            Err(error) => return Err(error),
        };
        decoder.push(buffer.get(..received).unwrap_or_default());
        loop {
            let reply = match decoder.next_message() {
                Ok(None) => break,
                Ok(Some(message)) => answer(responder, &message),
                Err(FrameError::Oversized { len, max }) => {
                    tracing::warn!(len, max, "oversized vpcd frame: answering 6700");
                    Some(SW_WRONG_LENGTH.to_vec())
                }
                Err(error) => {
                    tracing::warn!(%error, "ignoring vpcd frame");
                    None
                }
            };
            if let Some(payload) = reply {
                let frame = vpcd::encode(&payload)
                    .map_err(|error| io::Error::new(ErrorKind::InvalidData, error))?;
                match stream.write_all(&frame) {
                    Ok(()) => {}
                    Err(error) if is_disconnect(&error) => return Ok(SessionEnd::PeerClosed),
                    Err(error) => return Err(error),
                }
            }
        }
    }
}

fn is_disconnect(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
    )
}

/// Sleeps `total` in short slices; returns false if `stop` was raised meanwhile.
fn sleep_unless_stopped(total: Duration, stop: &AtomicBool) -> bool {
    let mut left = total;
    while !left.is_zero() {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let slice = left.min(POLL_INTERVAL);
        std::thread::sleep(slice);
        left -= slice;
    }
    !stop.load(Ordering::Relaxed)
}

/// A bound listener for reversed mode; refuses non-loopback addresses unless allowed.
pub fn bind_listener(addr: SocketAddr, allow_non_loopback: bool) -> Result<TcpListener, LinkError> {
    if !addr.ip().is_loopback() && !allow_non_loopback {
        return Err(LinkError::NonLoopback(addr));
    }
    let listener = TcpListener::bind(addr).map_err(|source| LinkError::Bind { addr, source })?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Reversed mode: accepts vpcd connections one after another until `stop` is raised.
pub fn serve_listener(
    listener: &TcpListener,
    responder: &mut dyn Responder,
    stop: &AtomicBool,
) -> Result<(), LinkError> {
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, peer)) => {
                stream.set_nonblocking(false)?;
                tracing::info!(%peer, "vpcd connected");
                match serve_connection(&stream, responder, stop) {
                    Ok(SessionEnd::Stopped) => break,
                    Ok(SessionEnd::PeerClosed) => tracing::info!(%peer, "vpcd disconnected"),
                    Err(error) => tracing::warn!(%peer, %error, "vpcd session failed"),
                }
                // Whatever the reader did last, a new connection starts with a fresh power-up.
                responder.power_off();
            }
            Err(error)
                if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) =>
            {
                std::thread::sleep(POLL_INTERVAL.min(Duration::from_millis(20)));
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// Connect mode: connects to vpcd, serves it, reconnects with backoff, until `stop` is raised.
pub fn serve_connecting(
    addr: SocketAddr,
    responder: &mut dyn Responder,
    stop: &AtomicBool,
    mut backoff: Backoff,
) -> Result<(), LinkError> {
    let mut announced_wait = false;
    while !stop.load(Ordering::Relaxed) {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(stream) => {
                backoff.reset();
                announced_wait = false;
                tracing::info!(%addr, "connected to vpcd");
                match serve_connection(&stream, responder, stop) {
                    Ok(SessionEnd::Stopped) => break,
                    Ok(SessionEnd::PeerClosed) => tracing::info!(%addr, "vpcd went away"),
                    Err(error) => tracing::warn!(%addr, %error, "vpcd session failed"),
                }
                responder.power_off();
            }
            Err(error) => {
                if !announced_wait {
                    tracing::info!(%addr, %error, "vpcd not reachable; retrying with backoff");
                    announced_wait = true;
                }
                if !sleep_unless_stopped(backoff.next_delay(), stop) {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Serves `responder` on `endpoint` until `stop` is raised.
pub fn serve(
    endpoint: Endpoint,
    allow_non_loopback: bool,
    responder: &mut dyn Responder,
    stop: &AtomicBool,
) -> Result<(), LinkError> {
    match endpoint {
        Endpoint::Connect(addr) => serve_connecting(addr, responder, stop, Backoff::default()),
        Endpoint::Listen(addr) => {
            let listener = bind_listener(addr, allow_non_loopback)?;
            announce_listening(&listener)?;
            serve_listener(&listener, responder, stop)
        }
    }
}

/// Prints the bound address on stdout (scripts wait for this line before starting pcscd).
fn announce_listening(listener: &TcpListener) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on {}", listener.local_addr()?)?;
    stdout.flush()
}

/// Arguments of `virtual-card serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Card profile (fixtures/cards/*.toml).
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Card state file (PIN counters, changed PINs): read at start, written before each answer
    /// that changed it. Without it the card starts fresh every time.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Connect to pcscd's vpcd at this address (default mode; default 127.0.0.1:35963).
    #[arg(long, value_name = "ADDR", conflicts_with = "listen")]
    pub vpcd: Option<SocketAddr>,
    /// Listen at this address and let vpcd connect (reversed mode; vpcd entry with
    /// DEVICENAME 127.0.0.1:0x8C7B connects to ports 35963 and 35964).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Allow --listen on an address other hosts can reach.
    #[arg(long)]
    pub allow_non_loopback: bool,
    /// Write this process's id here once the card is loaded (scripts and tests that kill it).
    #[arg(long, value_name = "FILE")]
    pub pid_file: Option<PathBuf>,
}

impl ServeArgs {
    /// The endpoint these arguments ask for.
    pub fn endpoint(&self) -> Endpoint {
        match (self.listen, self.vpcd) {
            (Some(addr), _) => Endpoint::Listen(addr),
            (None, Some(addr)) => Endpoint::Connect(addr),
            (None, None) => Endpoint::Connect(SocketAddr::from(([127, 0, 0, 1], 35963))),
        }
    }
}

/// Raises the returned flag on SIGINT or SIGTERM.
pub fn stop_on_signals() -> io::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(stop)
}

/// Runs `virtual-card serve`.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let stop = stop_on_signals()?;
    let mut responder = card::load(&args.profile, args.state.as_deref())?;
    if let Some(pid_file) = &args.pid_file {
        write_pid_file(pid_file)?;
    }
    serve(
        args.endpoint(),
        args.allow_non_loopback,
        &mut responder,
        &stop,
    )?;
    tracing::info!("stopped");
    Ok(())
}

/// Writes this process's id to `path` (temporary file, then rename: never half-written).
fn write_pid_file(path: &std::path::Path) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, format!("{}\n", std::process::id()))?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A tiny card: answers 9000 with the command's INS echoed, counts power-offs.
    #[derive(Default)]
    struct EchoCard {
        power_offs: usize,
    }

    impl Responder for EchoCard {
        fn atr(&self) -> Vec<u8> {
            vec![0x3B, 0x80, 0x80, 0x01, 0x01]
        }
        fn execute(&mut self, command: &[u8]) -> Vec<u8> {
            let ins = command.get(1).copied().unwrap_or(0);
            vec![ins, 0x90, 0x00]
        }
        fn power_off(&mut self) {
            self.power_offs += 1;
        }
    }

    #[test]
    fn answer_maps_messages() {
        let mut card = EchoCard::default();
        assert_eq!(answer(&mut card, &Message::Control(Control::PowerOn)), None);
        assert_eq!(
            answer(&mut card, &Message::Control(Control::GetAtr)),
            Some(vec![0x3B, 0x80, 0x80, 0x01, 0x01])
        );
        assert_eq!(
            answer(&mut card, &Message::Apdu(vec![0x00, 0xA4, 0x04, 0x00])),
            Some(vec![0xA4, 0x90, 0x00])
        );
        assert_eq!(answer(&mut card, &Message::Control(Control::Reset)), None);
        assert_eq!(
            answer(&mut card, &Message::Control(Control::PowerOff)),
            None
        );
        assert_eq!(card.power_offs, 2);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(35));
        let delays: Vec<_> = (0..4).map(|_| backoff.next_delay().as_millis()).collect();
        assert_eq!(delays, vec![10, 20, 35, 35]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_millis(10));
    }

    #[test]
    fn listen_refuses_non_loopback_without_the_flag() {
        let addr: SocketAddr = "0.0.0.0:0".parse().unwrap();
        assert!(matches!(
            bind_listener(addr, false),
            Err(LinkError::NonLoopback(_))
        ));
        assert!(bind_listener("127.0.0.1:0".parse().unwrap(), false).is_ok());
    }

    fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
        let mut header = [0u8; 2];
        stream.read_exact(&mut header).unwrap();
        let mut payload = vec![0u8; usize::from(u16::from_be_bytes(header))];
        stream.read_exact(&mut payload).unwrap();
        payload
    }

    /// Plays vpcd against the link in listen mode: control, split frames, oversized, reconnect.
    #[test]
    fn listen_mode_answers_a_vpcd_peer_and_takes_the_next_connection() {
        let listener = bind_listener("127.0.0.1:0".parse().unwrap(), false).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (done_tx, done_rx) = mpsc::channel();
        let server_stop = Arc::clone(&stop);
        let server = std::thread::spawn(move || {
            let mut card = EchoCard::default();
            let result = serve_listener(&listener, &mut card, &server_stop);
            done_tx.send(card.power_offs).unwrap();
            result
        });

        let mut peer = TcpStream::connect(addr).unwrap();
        peer.write_all(&vpcd::encode_control(Control::PowerOn))
            .unwrap();
        peer.write_all(&vpcd::encode_control(Control::GetAtr))
            .unwrap();
        assert_eq!(read_frame(&mut peer), vec![0x3B, 0x80, 0x80, 0x01, 0x01]);
        // Length and payload in separate writes, as vpcd does.
        let frame = vpcd::encode(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
        peer.write_all(&frame[..2]).unwrap();
        peer.write_all(&frame[2..]).unwrap();
        assert_eq!(read_frame(&mut peer), vec![0xB0, 0x90, 0x00]);
        // An oversized command is answered 6700 and the stream stays in step.
        let oversized = vpcd::encode(&vec![0u8; vpcd::DEFAULT_MAX_PAYLOAD + 1]).unwrap();
        peer.write_all(&oversized).unwrap();
        assert_eq!(read_frame(&mut peer), SW_WRONG_LENGTH.to_vec());
        peer.write_all(&vpcd::encode(&[0x00, 0x20, 0x00, 0x80]).unwrap())
            .unwrap();
        assert_eq!(read_frame(&mut peer), vec![0x20, 0x90, 0x00]);
        drop(peer);

        // vpcd comes back (pcscd restarted): the card answers again.
        let mut peer = TcpStream::connect(addr).unwrap();
        peer.write_all(&vpcd::encode_control(Control::GetAtr))
            .unwrap();
        assert_eq!(read_frame(&mut peer), vec![0x3B, 0x80, 0x80, 0x01, 0x01]);
        drop(peer);

        stop.store(true, Ordering::Relaxed);
        server.join().unwrap().unwrap();
        let power_offs = done_rx.recv().unwrap();
        assert!(power_offs >= 1, "power_offs = {power_offs}");
    }

    /// Connect mode: the card waits for vpcd, serves it, and reconnects after vpcd goes away.
    #[test]
    fn connect_mode_reconnects_when_vpcd_comes_back() {
        // Reserve a port, then close it so the card's first attempts fail.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let stop = Arc::new(AtomicBool::new(false));
        let card_stop = Arc::clone(&stop);
        let card = std::thread::spawn(move || {
            let mut card = EchoCard::default();
            let backoff = Backoff::new(Duration::from_millis(5), Duration::from_millis(20));
            serve_connecting(addr, &mut card, &card_stop, backoff)
        });

        for round in 0..2 {
            let vpcd_side = TcpListener::bind(addr).unwrap();
            let (mut stream, _) = vpcd_side.accept().unwrap();
            stream
                .write_all(&vpcd::encode(&[0x00, 0x84, 0x00, round]).unwrap())
                .unwrap();
            assert_eq!(read_frame(&mut stream), vec![0x84, 0x90, 0x00]);
            drop(stream);
            drop(vpcd_side);
        }
        stop.store(true, Ordering::Relaxed);
        card.join().unwrap().unwrap();
    }
}

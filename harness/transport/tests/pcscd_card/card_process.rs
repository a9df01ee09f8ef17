//! The card processes behind the readers: SIGKILL one, wait until pcscd sees its card leave,
//! start it again as ci/pcscd-start.sh did, and reconnect once the card is back.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use card_protocol::aid;
use harness_transport::{PcscChannel, TransportError};

use crate::apdu::{select_df_command, send};
use crate::slots::Slot;

pub fn read_pid(path: &Path) -> u32 {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .trim()
        .parse()
        .expect("pid")
}

pub fn alive(pid: u32) -> bool {
    // A zombie still has /proc/<pid>; its state letter is Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

/// Starts the card again, as ci/pcscd-start.sh did (same profile, state file, port, pid file).
pub fn restart_card(slot: &Slot) {
    let bin = std::env::var("HARNESS_VIRTUAL_CARD_BIN").expect("HARNESS_VIRTUAL_CARD_BIN");
    let prefix = std::env::var("HARNESS_PCSC_NETNS_EXEC").unwrap_or_default();
    let mut words: Vec<String> = prefix.split_whitespace().map(str::to_owned).collect();
    words.push(bin);
    // Through `sh -c '"$@" &'`: the card is detached from this test process (which waits only
    // for the shell) and outlives it; ci/pcscd-stop.sh stops it through the pid file.
    let status = Command::new("sh")
        .arg("-c")
        .arg(r#""$@" </dev/null >/dev/null 2>&1 &"#)
        .arg("sh")
        .args(&words)
        .arg("serve")
        .arg("--profile")
        .arg(&slot.profile)
        .arg("--state")
        .arg(&slot.state)
        .arg("--vpcd")
        .arg(format!("127.0.0.1:{}", slot.port))
        .arg("--pid-file")
        .arg(&slot.pid_file)
        .stdin(Stdio::null())
        .status()
        .expect("restart the card process");
    assert!(status.success(), "restart the card process: {status}");
}

/// Waits (bounded) until pcscd has seen the dead card leave its reader. Restarting before that
/// makes vpcd hand pcscd the new card within the same poll, and pcscd never notices a change.
pub fn wait_for_removal(slot: &Slot) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match PcscChannel::connect(&slot.reader) {
            Err(TransportError::NoCard | TransportError::CardRemoved) => return,
            Err(TransportError::ReaderUnavailable(message)) => panic!("{message}"),
            // Still there, or there but unpowered or busy: not gone yet.
            Ok(_) | Err(TransportError::CardReset | TransportError::Other(_)) => {}
        }
        assert!(
            Instant::now() < deadline,
            "pcscd still sees a card in {}",
            slot.reader
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Connects again once the restarted card is back in its reader and answers (bounded wait).
pub fn reconnect(slot: &Slot) -> PcscChannel {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match PcscChannel::connect(&slot.reader) {
            Ok(mut channel) => {
                let (_, sw) = send(&mut channel, select_df_command(&aid::TEXT));
                if sw == 0x9000 {
                    return channel;
                }
            }
            Err(
                TransportError::NoCard | TransportError::CardRemoved | TransportError::CardReset,
            ) => {}
            Err(error) => panic!("reconnect {}: {error}", slot.reader),
        }
        assert!(
            Instant::now() < deadline,
            "card did not come back in {}",
            slot.reader
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SIGKILLs the card process of `slot` and waits until it is gone; returns its pid.
pub fn kill_card(slot: &Slot) -> u32 {
    let pid = read_pid(&slot.pid_file);
    let status = Command::new("kill")
        .arg("-KILL")
        .arg(pid.to_string())
        .status();
    assert!(
        status.map(|s| s.success()).unwrap_or(false),
        "kill -KILL {pid}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "card process {pid} survived SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    pid
}

/// Replaces the card of `slot` with a fresh one as issued (state file removed).
pub fn reissue(slot: &Slot) -> PcscChannel {
    kill_card(slot);
    wait_for_removal(slot);
    match std::fs::remove_file(&slot.state) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => panic!("{}: {error}", slot.state.display()),
    }
    restart_card(slot);
    reconnect(slot)
}

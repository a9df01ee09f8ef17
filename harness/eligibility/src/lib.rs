//! Mock online eligibility service (オンライン資格確認等システム) and the result files the terminal
//! writes for the receipt system (レセコン).
//!
//! Flow: the reader asks [`EligibilityService::issue_challenge`] for a challenge, builds an
//! [`protocol::EligibilityCheck`] (user-auth certificate + a proof fitting the method) and the
//! service answers with a [`CheckOutcome`] from [`EligibilityService::check`] (given the
//! 資格確認日, see [`confirmation_date_for`]). The terminal renders it with [`render_result_xml`]
//! ([`ResultMessage::for_card_check`]) and writes it with [`ResultFolders::write_outcome`].
//! Requests in `req/` are answered by [`process_pending_requests`]. What each outcome writes, and
//! the public sources for it, is in [`result_xml`]; the crate `oqs-conformance` checks the files
//! independently.
//!
//! Cores are pure (values and `now` in, values out); files live in [`files`] and [`fixtures`].
//! The service knows the fixture cards; a bench adds its physical cards and their CA with
//! [`enrolment`] ([`EligibilityService::enrol`], [`EligibilityService::apply_enrolment`]).
//!
//! # Error codes (this mock's own; ErrorCode and ProcessingResultCode of the result file)
//! | code | meaning |
//! |------|---------|
//! | 1101 | user-auth certificate unreadable / unsupported algorithm |
//! | 1102 | certificate not issued by a trusted user-auth CA (the test JPKI CA, or a bench's `auth_ca`) |
//! | 1103 | certificate not yet valid |
//! | 1104 | certificate expired (証明書の有効期限切れ) |
//! | 1105 | certificate revoked, on the CRL (証明書の失効) |
//! | 1201 | card signature over the challenge does not verify (PIN route) |
//! | 1202 | challenge unknown (never issued) |
//! | 1203 | challenge already used |
//! | 1204 | challenge expired |
//! | 1301 | reader certificate not from the reader maker's CA, or not valid now (face route) |
//! | 1302 | reader's signature over the attestation statement does not verify |
//! | 1303 | statement malformed or not binding this check (other card/reader, outside the challenge's lifetime) |
//! | 1401 | staff confirmation incomplete, not for this reader, or its 資格確認日 not the check's (visual route) |
//! | 1501 | 資格確認日 after the day of the check |
//! | 2001 | request file unreadable or missing an element (`req/`) |
//! | 2002 | request ReferenceClassification is not 2 |
//! | 2003 | request item malformed (search item, 資格確認日 in the future, …) |

pub mod attestation;
pub mod check_error;
pub mod enrolment;
pub mod files;
pub mod fixtures;
pub mod insurance;
pub mod kana;
pub mod pki;
pub mod protocol;
pub mod request;
pub mod result_render;
pub mod result_xml;
pub mod service;
pub mod xml_tree;

pub use attestation::{attestation_statement, AttestationStatement};
pub use enrolment::{
    CardEnrolment, CardToEnrol, EnrolError, EnrolFailure, EnrolledCard, EnrolmentError, ExtraAuthCa,
};
pub use files::{process_pending_requests, ResultFolders, WriteError};
pub use fixtures::{FixtureDir, FixtureSource, ServiceFixtures};
pub use insurance::{
    CardSearch, InsuranceBook, InsuranceRecord, Qualification, QualificationValidity,
};
pub use request::{parse_request, render_request_xml, QualificationRequest, RequestResponder};
pub use result_render::render_result_xml;
pub use result_xml::{
    CardCheckWithoutRecord, CharacterCode, MultipleRecords, ResultBody, ResultFileOptions,
    ResultMessage, SearchEcho,
};
pub use service::{
    confirmation_date_for, Challenge, CheckError, CheckOutcome, CheckResult, EligibilityService,
    IdentityEvidence, ServiceConfig, SetupError,
};

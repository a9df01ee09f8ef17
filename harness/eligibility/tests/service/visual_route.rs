//! The visual route: the staff's confirmation is recorded, its 資格確認日 becomes
//! QualificationConfirmationDate, and a confirmation that does not hold is refused (1401).

use chrono::Duration;
use harness_eligibility::protocol::{IdentityMethod, IdentityProof};
use harness_eligibility::{CheckError, IdentityEvidence, QualificationValidity};

use crate::common::*;
use crate::{now, rejected, result_file, setup, staff, READER};

#[test]
fn visual_route_records_the_staff_confirmation() {
    let mut f = setup();
    let outcome = f.check("yamada-taro", staff(now()), now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.method, IdentityMethod::Visual);
    assert_eq!(
        outcome.evidence,
        Some(IdentityEvidence::StaffConfirmation {
            account: "admin".into(),
            reader: READER.into(),
            confirmation_date: now().date(),
            confirmed_at: now() - Duration::seconds(30),
        })
    );
    let root = result_file(&outcome);
    assert_eq!(
        text(&root, &["MessageHeader", "QualificationConfirmationDate"]),
        "20261125"
    );

    // The 資格確認日 the staff entered becomes QualificationConfirmationDate.
    let yesterday = IdentityProof::StaffConfirmation {
        account: "admin".into(),
        reader: READER.into(),
        confirmation_date: now().date() - Duration::days(1),
        confirmed_at: now(),
    };
    let outcome = f.check("yamada-taro", yesterday, now());
    assert_eq!(
        text(
            &result_file(&outcome),
            &["MessageHeader", "QualificationConfirmationDate"]
        ),
        "20261124"
    );

    for bad in [
        IdentityProof::StaffConfirmation {
            account: " ".into(),
            reader: READER.into(),
            confirmation_date: now().date(),
            confirmed_at: now(),
        },
        IdentityProof::StaffConfirmation {
            account: "admin".into(),
            reader: "Other Reader".into(),
            confirmation_date: now().date(),
            confirmed_at: now(),
        },
        IdentityProof::StaffConfirmation {
            account: "admin".into(),
            reader: READER.into(),
            confirmation_date: now().date(),
            confirmed_at: now() + Duration::minutes(1),
        },
    ] {
        let outcome = f.check("yamada-taro", bad, now());
        assert!(
            matches!(rejected(&outcome), CheckError::BadStaffConfirmation(_)),
            "{:?}",
            outcome.result
        );
        assert_eq!(outcome.error().map(CheckError::code), Some("1401"));
    }
}

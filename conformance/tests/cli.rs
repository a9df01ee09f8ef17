//! `oqs-check` over a folder: exit status and report lines.

use std::process::Command;

fn folder(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("oqs-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("face")).expect("folder");
    dir
}

const GOOD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<XmlMsg>\n\
<MessageHeader>\n<ProcessExecutionTime>20261125100005</ProcessExecutionTime>\n\
<QualificationConfirmationDate>20261125</QualificationConfirmationDate>\n\
<MedicalInstitutionCode>1312345678</MedicalInstitutionCode>\n\
<ReferenceClassification>1</ReferenceClassification>\n<SegmentOfResult>1</SegmentOfResult>\n\
<CharacterCodeIdentifier>0</CharacterCodeIdentifier>\n</MessageHeader>\n<MessageBody>\n\
<ProcessingResultStatus>2</ProcessingResultStatus>\n<ProcessingResultCode>1104</ProcessingResultCode>\n\
<ProcessingResultMessage>期限切れ</ProcessingResultMessage>\n</MessageBody>\n</XmlMsg>\n";

#[test]
fn a_folder_of_good_files_passes_and_one_bad_file_fails_it() {
    let dir = folder("cli");
    let good = dir.join("face/OQSsiquc01res_face_1_20261125100005.xml");
    std::fs::write(&good, GOOD).expect("write");
    // A writer's temporary file is skipped.
    std::fs::write(dir.join("face/.OQSsiquc01res_face_2_x.xml.tmp-1-1"), "<par").expect("write");
    let run = |args: &[&std::path::Path]| {
        Command::new(env!("CARGO_BIN_EXE_oqs-check"))
            .args(args)
            .output()
            .expect("runs")
    };
    let ok = run(&[&dir]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("1 file(s), 1 conform, 0 do not"));

    let bad = dir.join("face/OQSsiquc01res_face_3_20261125100005.xml");
    std::fs::write(
        &bad,
        GOOD.replace(
            "<ProcessingResultCode>1104</ProcessingResultCode>",
            "<ProcessingResultCode></ProcessingResultCode>",
        ),
    )
    .expect("write");
    let failed = run(&[&dir]);
    assert_eq!(failed.status.code(), Some(1));
    let out = String::from_utf8_lossy(&failed.stdout);
    assert!(
        out.contains("/XmlMsg/MessageBody/ProcessingResultCode (処理結果コード): element is empty"),
        "{out}"
    );
    let none = Command::new(env!("CARGO_BIN_EXE_oqs-check"))
        .output()
        .expect("runs");
    assert_eq!(none.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

//! Mock online eligibility service (オンライン資格確認等システム) and the result files the terminal
//! writes for the receipt system (レセコン).

pub mod protocol;

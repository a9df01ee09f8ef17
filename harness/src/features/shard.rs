//! `--shard K/N`: every N-th scenario from the K-th, so CI systems (a GitHub Actions matrix,
//! Jenkins) spread a suite or several benches over machines. Scenarios are numbered in one
//! order that does not depend on the machine: feature path, then line (an outline's example rows
//! are scenarios of their own, as cucumber expands them).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use cucumber::parser::Parser as _;
use futures::StreamExt as _;

/// One shard of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    index: usize,
    count: usize,
}

/// A scenario's place: feature file, line and column of the scenario or example row.
pub type ScenarioPlace = (PathBuf, usize, usize);

impl Shard {
    /// Shard `index` of `count` (1-based).
    pub fn new(index: usize, count: usize) -> anyhow::Result<Self> {
        anyhow::ensure!(
            count >= 1 && (1..=count).contains(&index),
            "シャード指定 {index}/{count} が不正です（1 ≤ K ≤ N）"
        );
        Ok(Self { index, count })
    }

    /// Picks this shard's scenarios out of every scenario's place.
    pub fn pick(&self, mut places: Vec<ScenarioPlace>) -> HashSet<ScenarioPlace> {
        places.sort();
        places.dedup();
        places
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index - 1)
            .map(|(_, place)| place)
            .collect()
    }
}

impl FromStr for Shard {
    type Err = anyhow::Error;
    fn from_str(text: &str) -> anyhow::Result<Self> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| anyhow::anyhow!("シャードは K/N の形で指定してください: {text:?}"))?;
        Self::new(k.trim().parse()?, n.trim().parse()?)
    }
}

/// The place of every scenario under `input` (a feature file or folder), parsed as cucumber
/// parses them.
pub async fn scenario_places(input: &Path) -> anyhow::Result<Vec<ScenarioPlace>> {
    let features: Vec<_> = cucumber::parser::Basic::new()
        .parse(input.to_path_buf(), cucumber::parser::basic::Cli::default())
        .collect()
        .await;
    let mut places = Vec::new();
    for feature in features {
        let feature = feature.map_err(|e| anyhow::anyhow!("{e}"))?;
        let path = feature.path.clone().unwrap_or_default();
        let scenarios = feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()));
        for scenario in scenarios {
            places.push(place(&path, scenario));
        }
    }
    Ok(places)
}

/// A scenario's place as [`scenario_places`] and the runner's filter see it.
pub fn place(path: &Path, scenario: &cucumber::gherkin::Scenario) -> ScenarioPlace {
    (
        path.to_path_buf(),
        scenario.position.line,
        scenario.position.col,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_shards_are_refused() {
        for text in ["0/3", "4/3", "1/0", "a/b", "3"] {
            assert!(text.parse::<Shard>().is_err(), "{text} accepted");
        }
        assert!("3/3".parse::<Shard>().is_ok());
    }

    #[tokio::test]
    async fn shards_together_cover_every_scenario_of_the_features_exactly_once() {
        let root = crate::config::workspace_root().join("features");
        let places = scenario_places(&root).await.expect("features parse");
        assert!(places.len() >= 30, "only {} scenarios found", places.len());
        for count in [1, 2, 3, 7] {
            let mut seen: Vec<ScenarioPlace> = Vec::new();
            for index in 1..=count {
                let shard = Shard::new(index, count).expect("shard");
                let picked = shard.pick(places.clone());
                assert!(!picked.is_empty() || places.len() < count);
                seen.extend(picked);
            }
            seen.sort();
            let mut all = places.clone();
            all.sort();
            assert_eq!(seen, all, "{count} shards");
        }
    }
}

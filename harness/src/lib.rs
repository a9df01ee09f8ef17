//! Cucumber world, steps, runner and report.

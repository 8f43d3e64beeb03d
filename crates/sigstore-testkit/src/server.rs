//! x
#![allow(missing_docs)]
pub struct Testkit;
pub enum Endpoint {}
pub enum Fault {}

//! Login, logout and the language switch: the JSON API (`api`) and the pages (`ui`).

pub(crate) mod ui;

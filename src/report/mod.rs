//! The annual duty report: metrics computed from the ledgers, templates, and their renderings.

//! Excel in and out: import of ledger and roster workbooks, export, blank templates.

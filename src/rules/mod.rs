//! Rule checks: the 三会一课 cadence and the other rules, as data, evaluated against the ledgers.

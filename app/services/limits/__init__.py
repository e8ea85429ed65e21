"""Rate limits shared by every worker: fixed-window counters in Redis or the database."""

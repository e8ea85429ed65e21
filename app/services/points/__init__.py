"""Points: the ledger (its only writer), balances, expiry, earning, tiers, purchases, audit."""

"""The counter: member look-up, pickups, counter redemption, benefits, member codes, staff log."""

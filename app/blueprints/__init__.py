"""Feature blueprints: auth, mall, checkout, member, counter, admin, api."""

"""The mall: catalogue, storefront, redemption, orders, pricing, bookings, addresses."""

// registrations follow

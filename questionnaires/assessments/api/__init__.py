"""REST views: issuing (buyer) and responding (vendor, `Authorization: Invite`)."""

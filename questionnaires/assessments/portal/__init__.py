"""The vendor portal: pages reached through an invitation link (interface)."""

"""Demo data drawn from the source report (Harbin, Daoli district), loaded through the gateway's API."""

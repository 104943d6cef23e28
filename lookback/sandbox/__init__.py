"""Local HTTPS sandbox serving GitHub, Slack and PagerDuty APIs over a JSON world."""

"""Answer quality: question files, the runner over `ask()`, metrics, typo variants, the report and the gate."""

"""Analytics (分析): what-if replays of draft schemes, fairness statistics and early warnings.

Read-only over the other domains (their selectors and models); it writes only its own tables.
"""

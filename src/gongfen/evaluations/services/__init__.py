"""Every write of an evaluation round: create, edit, open, voters, codes, drafts, votes, close, reopen.

Each runs in one transaction, refuses an illegal move with a DomainError
(changing nothing) and writes its audit row, which never carries a named
voter's grades. Votes are stored without voter, code or time (see models).
"""

from .ballots import vote_save_draft, vote_submit, vote_submit_public
from .rounds import codes_issue, round_close, round_create, round_open, round_reopen, round_update, voters_set

__all__ = [
    "codes_issue",
    "round_close",
    "round_create",
    "round_open",
    "round_reopen",
    "round_update",
    "vote_save_draft",
    "vote_submit",
    "vote_submit_public",
    "voters_set",
]

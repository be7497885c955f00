"""Signals the expo app sends after profile writes; `matching/receivers.py` is their one listener.

They exist so that `expo` never imports `matching` (STYLE.md, section 1). Services send them
after a successful write; the receiver only queues rescoring work on commit.
"""

from django.dispatch import Signal

# Sent with `buyer=<Buyer>` after a buyer's sourcing profile (facets, quantities, prices…) changed.
buyer_profile_changed = Signal()
# Sent with `exhibitor=<Exhibitor>` after an exhibitor's capabilities changed.
exhibitor_profile_changed = Signal()
# Sent with `expo=<Expo>, kind="buyers"|"exhibitors", ids=[pk, …]` after a bulk import wrote profiles.
profiles_imported = Signal()

"""One module per tab; TAB_CLASSES is their order on screen and their number keys 1-8."""

from spendtui.tui.tabs.invoices import InvoicesTab
from spendtui.tui.tabs.overview import OverviewTab
from spendtui.tui.tabs.provider import AnthropicTab, CursorTab, OpenAITab
from spendtui.tui.tabs.sync import SyncTab
from spendtui.tui.tabs.team import TeamTab
from spendtui.tui.tabs.teams import TeamsTab

TAB_CLASSES = (OverviewTab, TeamTab, CursorTab, AnthropicTab, OpenAITab, TeamsTab, InvoicesTab, SyncTab)

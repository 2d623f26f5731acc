"""Seeded logs with a known truth, to test parcours against: the demo log and the shapes of real logs.

The demo log (:mod:`parcours.synthetic.generate`) plants journeys with known effects on value; the
clickstream, entry and trial generators make logs shaped like the public ones parcours meets
(:mod:`~parcours.synthetic.clickstream`, :mod:`~parcours.synthetic.entry`,
:mod:`~parcours.synthetic.entry_trial`).
"""

from parcours.synthetic.choice import versus_rest_effects
from parcours.synthetic.generate import DemoLog, ensure_demo_log, generate_demo_log
from parcours.synthetic.journeys import PLANTED, PlantedJourney
from parcours.synthetic.text import DIRTY_KINDS

__all__ = ["DIRTY_KINDS", "PLANTED", "DemoLog", "PlantedJourney", "ensure_demo_log", "generate_demo_log",
           "versus_rest_effects"]

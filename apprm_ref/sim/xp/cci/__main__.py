from __future__ import annotations

import sys

from apprm_ref.sim.xp.cci.main import main

sys.exit(main())

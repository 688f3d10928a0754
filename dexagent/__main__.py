import sys

from dexagent.cli import main

sys.exit(main())

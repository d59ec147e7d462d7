import sys

from gongfen.cli import main

sys.exit(main())

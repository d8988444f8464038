import sys

from commons_kernel.standard.cli import main

sys.exit(main())

from techtransfer.cli import main

raise SystemExit(main())

from bench.ui.run import main

raise SystemExit(main())

#!/usr/bin/env python
from dangjian.manage import main

if __name__ == "__main__":
    main()

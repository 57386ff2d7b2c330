#!/usr/bin/env python
import sys

from gongzhi.cli import main

if __name__ == "__main__":
    main(["manage", *sys.argv[1:]])

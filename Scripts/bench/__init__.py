"""Side-by-side benchmark of swift-sentinel against the reference redis-sentinel.

Run through Scripts/bench.sh, which installs Redis when missing and builds swift-sentinel
(release, Swift runtime linked statically). Everything runs on 127.0.0.1 on free ports;
every process is started here and stopped by its PID; temporary directories are removed.
Python 3 standard library only.
"""

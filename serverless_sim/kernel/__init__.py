"""The kernel: clock, scheduler, processes, random streams, trace, metrics, errors."""

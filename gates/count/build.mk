# Backend count: every gate a counted direct call, to measure how many
# crossings an isolated image of the same split makes
# (gates/count/backend.py). No C runtime, no library of its own.

import SentinelSimulation
print("sentinel-sim: not yet implemented")

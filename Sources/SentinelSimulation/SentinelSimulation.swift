/// The simulated world that drives `SentinelCore` under seeded fault schedules.
public enum SentinelSimulation {}

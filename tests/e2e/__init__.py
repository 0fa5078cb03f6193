"""End-to-end tests: a real Home Assistant, the simulators and headless Chromium."""

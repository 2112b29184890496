"""CloudWatch metrics and CloudWatch Logs over the kernel's stores."""

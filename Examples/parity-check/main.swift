import Tensors
OpenBLASCoreGuard.ensureOptimizedCore()

"""Writes a safetensors file of float64 tensors (sorted names, 8-byte aligned header), the
format of ../shared/parity; shared by the fixture scripts here. Needs PyTorch only (no numpy)."""
import json, struct
import torch

def write(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        values = tensors[name].detach().contiguous().to(torch.float64).reshape(-1).tolist()
        b = struct.pack('<%dd' % len(values), *values)
        header[name] = {"dtype": "F64", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b); offset += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h))); f.write(h); [f.write(b) for b in blobs]

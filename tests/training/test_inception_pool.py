"""The Inception net's global pooling: average (GoogLeNet) or max, which keeps one small lesion's response whole."""

import pytest
import torch

from training.models import create_model


@pytest.mark.parametrize("pool, reduce", [("avg", torch.mean), ("max", torch.amax)])
def test_global_pooling_is_the_configured_reduction(pool, reduce):
    torch.manual_seed(0)
    net = create_model("inception_small", in_channels=2, width=0.125, dropout=0.0, pool=pool).eval()
    x = torch.rand(3, 2, 64, 64)
    with torch.no_grad():
        maps = net.features(x)
        torch.testing.assert_close(net(x), reduce(maps, dim=(2, 3)))


def test_an_unknown_pool_is_refused():
    with pytest.raises(ValueError, match="unknown pool 'sum'"):
        create_model("inception", in_channels=1, pool="sum")

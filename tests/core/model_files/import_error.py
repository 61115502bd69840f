import torch.nn as nn
import no_such_module_for_cnnviz_tests

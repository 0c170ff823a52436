"""Only the package layout; everything else is in pyproject.toml.

The flow templates have one home, terraform/flows, where Terraform renders them. The wheel carries
them as the package directory aicc_ops/flow_templates, so an installed aicc-ops runs the same flows
(aicc_ops.core.repository finds them there). pyproject.toml cannot map a directory outside the
package roots, hence this file.
"""

from setuptools import find_namespace_packages, setup

# Namespace discovery, as pyproject's `find` does: the data folders (aicc/config...) are packages too.
SKIP = ("*__pycache__*",)

setup(
    packages=[
        *find_namespace_packages("lambdas", exclude=SKIP),
        *find_namespace_packages("ops", exclude=SKIP),
        "aicc_ops.flow_templates",
    ],
    package_dir={
        "aicc": "lambdas/aicc",
        "aicc_ops": "ops/aicc_ops",
        "aicc_ops.flow_templates": "terraform/flows",
    },
)

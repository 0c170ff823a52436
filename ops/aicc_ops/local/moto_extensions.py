"""What the local stack's moto (5.2.5) lacks for the deploy rehearsal (`aicc-ops deploy apply --env
local`), added to moto's own classes before it serves: Terraform's AWS provider calls these as it
would in AWS, with the shapes and errors of the botocore model.

- S3 PutBucketLogging answered 500 when the target bucket's policy has a `"Principal": "*"`
  statement (every bucket of terraform/ has one, its TLS-only Deny).
- Kinesis CreateStream dropped its Tags (the provider reads them back: every plan showed them added).
- Bedrock Agent's knowledge bases answered dates as numbers and status "Active" (the API: ISO
  8601 strings, "ACTIVE"), and it had no data sources (Create/Get/Update/Delete/ListDataSources).
- OpenSearch Serverless had no data access policies (Create/Get/Update/DeleteAccessPolicy) and no
  DeleteSecurityPolicy (the knowledge module's collection has both kinds).
- DynamoDB's conditional writes were not atomic: moto checks a ConditionExpression, then writes,
  with nothing in between holding another thread's write off, so two concurrent writers could both
  pass `attribute_not_exists(...)` (DynamoDB evaluates the condition and writes as one step; the SLA
  monitor's overlapping runs and the callbacks' one-per-contact rely on it). Writes are serialised.

Stand-ins, where the local stack has no service to build the real thing: the CloudFormation types
in STAND_INS (the Lex V2 bot, its version and alias, and the Connect-Lex association of the lex and
connect modules; the Bedrock guardrail and the vector index of the knowledge module) are created
as placeholders with generated IDs and ARNs for Ref and Fn::GetAtt. Nothing builds or runs the bot
there: the local stack answers speech with its own NLU (docs/deploy.md, "Rehearsal").
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from .moto_fast_paths import install_fast_paths


def patch_moto() -> None:
    """Add the operations above to moto (once per process)."""
    from moto.s3.models import FakeBucket

    if getattr(FakeBucket._log_permissions_enabled_policy, "aicc_patched", False):
        return
    _logging_check(FakeBucket)
    _opensearch_serverless()
    _bedrock_agent()
    _kinesis_tags()
    _stand_ins()
    _atomic_item_writes()
    install_fast_paths()  # moto_fast_paths: the same answers, sooner


def _logging_check(bucket_class: Any) -> None:
    check = bucket_class._log_permissions_enabled_policy

    def readable(target_bucket: Any, target_prefix: str | None) -> bool:
        """moto's check, given the statements it can read: only a map can name the logging service."""
        if not target_bucket.policy:
            return False
        policy = json.loads(target_bucket.policy.decode())
        statements = policy.get("Statement") or []
        statements = [statements] if isinstance(statements, dict) else statements
        view = SimpleNamespace(
            policy=json.dumps(
                {**policy, "Statement": [s for s in statements if isinstance(s.get("Principal"), dict)]}
            ).encode(),
            partition=target_bucket.partition,
            name=target_bucket.name,
        )
        return bool(check(view, target_prefix))

    readable.aicc_patched = True  # type: ignore[attr-defined]
    bucket_class._log_permissions_enabled_policy = staticmethod(readable)


def _opensearch_serverless() -> None:
    from moto.opensearchserverless.exceptions import ConflictException, ResourceNotFoundException
    from moto.opensearchserverless.responses import OpenSearchServiceServerlessResponse as Response

    def policies(response: Any) -> dict[tuple[str, str], dict[str, Any]]:
        backend = response.opensearchserverless_backend
        if not hasattr(backend, "aicc_access_policies"):
            backend.aicc_access_policies = {}
        found: dict[tuple[str, str], dict[str, Any]] = backend.aicc_access_policies
        return found

    def existing(response: Any, params: dict[str, Any]) -> dict[str, Any]:
        key = (params["name"], params["type"])
        if key not in policies(response):
            raise ResourceNotFoundException(f"Policy with name {key[0]} and type {key[1]} is not found")
        return policies(response)[key]

    def now() -> int:
        return int(datetime.now(UTC).timestamp() * 1000)

    def version(detail: dict[str, Any] | None = None) -> str:
        """As the service writes it: base64 of "<epoch ms>_<revision>" (20 characters)."""
        revision = 1 + int(base64.b64decode(detail["policyVersion"]).split(b"_")[1]) if detail else 1
        return base64.b64encode(f"{now()}_{revision}".encode()).decode()

    def create_access_policy(self: Any) -> str:
        params = json.loads(self.body)
        key = (params["name"], params["type"])
        if key in policies(self):
            raise ConflictException(f"Policy with name {key[0]} and type {key[1]} already exists")
        detail = {
            "name": key[0],
            "type": key[1],
            "description": params.get("description", ""),
            "policy": json.loads(params["policy"]),
            "policyVersion": version(),
            "createdDate": now(),
            "lastModifiedDate": now(),
        }
        policies(self)[key] = detail
        return json.dumps({"accessPolicyDetail": detail})

    def get_access_policy(self: Any) -> str:
        return json.dumps({"accessPolicyDetail": existing(self, json.loads(self.body))})

    def update_access_policy(self: Any) -> str:
        params = json.loads(self.body)
        detail = existing(self, params)
        if params.get("policyVersion") != detail["policyVersion"]:
            raise ConflictException("The policy version does not match the current version")
        if "policy" in params:
            detail["policy"] = json.loads(params["policy"])
        if "description" in params:
            detail["description"] = params["description"]
        detail.update(policyVersion=version(detail), lastModifiedDate=now())
        return json.dumps({"accessPolicyDetail": detail})

    def delete_access_policy(self: Any) -> str:
        params = json.loads(self.body)
        existing(self, params)
        del policies(self)[params["name"], params["type"]]
        return "{}"

    def delete_security_policy(self: Any) -> str:
        params = json.loads(self.body)
        backend = self.opensearchserverless_backend
        backend.get_security_policy(name=params["name"], type=params["type"])  # ResourceNotFound
        for token, policy in list(backend.security_policies.items()):
            if policy.name == params["name"] and policy.type == params["type"]:
                del backend.security_policies[token]
        return "{}"

    for method in (
        create_access_policy,
        get_access_policy,
        update_access_policy,
        delete_access_policy,
        delete_security_policy,
    ):
        setattr(Response, method.__name__, method)


def _atomic_item_writes() -> None:
    """Each DynamoDB write (its condition check included) as one step, as DynamoDB does it."""
    import functools
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
        original = getattr(DynamoDBBackend, name)

        def atomic(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(*args, **kwargs)

        setattr(DynamoDBBackend, name, functools.wraps(original)(atomic))


def _kinesis_tags() -> None:
    from moto.kinesis.responses import KinesisResponse

    create = KinesisResponse.create_stream

    def create_stream(self: Any) -> Any:
        result = create(self)
        tags = self._get_param("Tags")
        if tags:
            self.kinesis_backend.add_tags_to_stream(None, self._get_param("StreamName"), dict(tags))
        return result

    KinesisResponse.create_stream = create_stream  # type: ignore[method-assign]


def _iso(value: Any) -> Any:
    return datetime.fromtimestamp(value, UTC).isoformat() if isinstance(value, int | float) else value


def _bedrock_agent() -> None:
    from moto.bedrockagent.exceptions import ResourceNotFoundException
    from moto.bedrockagent.models import KnowledgeBase
    from moto.bedrockagent.responses import AgentsforBedrockResponse as Response

    def as_the_api(shape: Any) -> Any:
        def wrapped(self: Any) -> dict[str, Any]:
            out = dict(shape(self))
            for key in ("createdAt", "updatedAt"):
                if key in out:
                    out[key] = _iso(out[key])
            if "status" in out:
                out["status"] = str(out["status"]).upper()
            return out

        return wrapped

    KnowledgeBase.to_dict = as_the_api(KnowledgeBase.to_dict)  # type: ignore[method-assign]
    KnowledgeBase.dict_summary = as_the_api(KnowledgeBase.dict_summary)  # type: ignore[method-assign]

    def sources(response: Any) -> dict[tuple[str, str], dict[str, Any]]:
        backend = response.bedrockagent_backend
        if not hasattr(backend, "aicc_data_sources"):
            backend.aicc_data_sources = {}
        found: dict[tuple[str, str], dict[str, Any]] = backend.aicc_data_sources
        return found

    def ids(response: Any) -> tuple[str, str]:
        """/knowledgebases/{knowledgeBaseId}/datasources/[{dataSourceId}]"""
        parts = response.path.split("/")
        return parts[2], (parts[4] if len(parts) > 4 else "")

    def existing(response: Any) -> dict[str, Any]:
        key = ids(response)
        if key not in sources(response):
            raise ResourceNotFoundException(f"Data source {key[1]} of knowledge base {key[0]} not found")
        return sources(response)[key]

    def create_data_source(self: Any) -> str:
        params = json.loads(self.body)
        knowledge_base = self.bedrockagent_backend.get_knowledge_base(ids(self)[0])
        now = datetime.now(UTC).isoformat()
        fields = (
            "name",
            "description",
            "dataSourceConfiguration",
            "serverSideEncryptionConfiguration",
            "vectorIngestionConfiguration",
            "dataDeletionPolicy",
        )
        source = {
            "knowledgeBaseId": knowledge_base.knowledge_base_id,
            "dataSourceId": uuid.uuid4().hex[:10].upper(),
            "status": "AVAILABLE",
            "createdAt": now,
            "updatedAt": now,
            **{k: params[k] for k in fields if k in params},
        }
        sources(self)[source["knowledgeBaseId"], source["dataSourceId"]] = source
        return json.dumps({"dataSource": source})

    def list_data_sources(self: Any) -> str:
        kb = ids(self)[0]
        keys = ("knowledgeBaseId", "dataSourceId", "name", "status", "description", "updatedAt")
        listed = [{k: s[k] for k in keys if k in s} for (base, _), s in sources(self).items() if base == kb]
        return json.dumps({"dataSourceSummaries": listed})

    def get_data_source(self: Any) -> str:
        return json.dumps({"dataSource": existing(self)})

    def update_data_source(self: Any) -> str:
        source = existing(self)
        params = json.loads(self.body)
        source.update({k: v for k, v in params.items() if k not in ("knowledgeBaseId", "dataSourceId")})
        source["updatedAt"] = datetime.now(UTC).isoformat()
        return json.dumps({"dataSource": source})

    def delete_data_source(self: Any) -> str:
        source = existing(self)
        del sources(self)[ids(self)]
        return json.dumps(
            {
                "knowledgeBaseId": source["knowledgeBaseId"],
                "dataSourceId": source["dataSourceId"],
                "status": "DELETING",
            }
        )

    for method in (
        create_data_source,
        list_data_sources,
        get_data_source,
        update_data_source,
        delete_data_source,
    ):
        setattr(Response, method.__name__, method)


# CloudFormation type -> (Ref's attribute, {attribute: template}); templates see id, arn_prefix.
STAND_INS: dict[str, tuple[str, dict[str, str]]] = {
    "AWS::Lex::Bot": ("Id", {"Id": "{id}", "Arn": "{arn_prefix}lex:{region}:{account}:bot/{id}"}),
    "AWS::Lex::BotVersion": ("BotVersion", {"BotVersion": "1"}),
    "AWS::Lex::BotAlias": (
        "BotAliasId",
        {"BotAliasId": "{id}", "Arn": "{arn_prefix}lex:{region}:{account}:bot-alias/{bot}/{id}"},
    ),
    "AWS::Connect::IntegrationAssociation": (
        "IntegrationAssociationId",
        {"IntegrationAssociationId": "{id}"},
    ),
    "AWS::Bedrock::Guardrail": (
        "GuardrailArn",
        {
            "GuardrailId": "{id}",
            "GuardrailArn": "{arn_prefix}bedrock:{region}:{account}:guardrail/{id}",
            "Version": "DRAFT",
        },
    ),
    "AWS::Bedrock::GuardrailVersion": ("Version", {"Version": "1"}),
    "AWS::OpenSearchServerless::Index": ("Uuid", {"Uuid": "{id}"}),
}


_KEPT: list[type] = []


def _stand_ins() -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel

    for cfn_type, (ref, attributes) in STAND_INS.items():

        class StandIn(CloudFormationModel):
            kind, ref_attribute, templates = cfn_type, ref, attributes

            def __init__(self, properties: dict[str, Any], account_id: str, region_name: str) -> None:
                ident = uuid.uuid4().hex[:10].upper()
                values = {
                    "id": ident,
                    "arn_prefix": "arn:aws:",
                    "region": region_name,
                    "account": account_id,
                    "bot": str(properties.get("BotId", "")),
                }
                self.attributes = {k: v.format(**values) for k, v in self.templates.items()}

            @property
            def physical_resource_id(self) -> str:
                return self.attributes[self.ref_attribute]

            @classmethod
            def has_cfn_attr(cls, attr: str) -> bool:
                return attr in cls.templates

            def get_cfn_attribute(self, attribute_name: str) -> str:
                return self.attributes[attribute_name]

            @staticmethod
            def cloudformation_name_type() -> str:
                return ""

            @classmethod
            def cloudformation_type(cls) -> str:
                return cls.kind

            @classmethod
            def create_from_cloudformation_json(
                cls,
                resource_name: str,
                cloudformation_json: Any,
                account_id: str,
                region_name: str,
                **kwargs: Any,
            ) -> Any:
                return cls(cloudformation_json.get("Properties", {}), account_id, region_name)

            @classmethod
            def update_from_cloudformation_json(
                cls,
                original_resource: Any,
                new_resource_name: str,
                cloudformation_json: Any,
                account_id: str,
                region_name: str,
            ) -> Any:
                return cls(cloudformation_json.get("Properties", {}), account_id, region_name)

            @classmethod
            def delete_from_cloudformation_json(
                cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
            ) -> None:
                return None

        StandIn.__name__ = "StandIn" + cfn_type.replace("::", "")
        _KEPT.append(StandIn)  # moto finds models as subclasses, which Python holds only weakly
    parsing.get_model_map.cache_clear()

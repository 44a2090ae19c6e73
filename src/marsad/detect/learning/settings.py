"""Settings of the labelling loop (section ``learning``), each one a ``MARSAD_<NAME>`` variable."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LearningSettings(BaseSettings):
    """How the labelling queue samples posts and how retraining counts analysts' labels."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    learning_local_weight: float = Field(
        3.0,
        gt=0,
        le=100,
        description="How much the local labels (analysts' answers, imports and flag decisions) "
        "count in retraining, against each public data set: each set's classes get equal "
        "total weight, the local set this many times more.",
    )
    learning_min_labels: int = Field(
        20,
        ge=1,
        description="Fewest local labels of each class (0 and 1) a task needs for retraining "
        "to use them; with fewer for every task nothing is trained and the model in use stays.",
    )
    learning_eval_size: int = Field(
        300,
        ge=0,
        description="Size of each task's frozen evaluation sample: posts drawn at random "
        "(at most a fifth of the store) the first time a queue is asked for, labelled first "
        "and never used for training.",
    )
    learning_random_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Share of each labelling queue drawn uniformly at random (the rest are the "
        "posts the model in use is least sure of), so precision and prevalence can be "
        "estimated without bias.",
    )
    learning_pool_size: int = Field(
        5000,
        ge=10,
        description="How many unlabelled posts, drawn at random, the queue scores to find "
        "the most uncertain ones.",
    )
    learning_batch_size: int = Field(
        20,
        ge=1,
        le=1000,
        description="Posts the staff labelling page draws when its queue is empty.",
    )
    learning_shared_data: Path | None = Field(
        None,
        description="Folder of the public labelled data sets (osact2020_train.tsv, …) the "
        "scheduled `detect.train-candidate` job retrains from, with the local labels. "
        "Empty: the job says so and trains nothing.",
    )

    @field_validator("learning_shared_data", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

"""Where the browser session may not run, as data: each hosted platform, CI service and remote workspace the
locality verdict recognises, the environment variables (or files) that give it away, and where that is documented.

A platform is recognised when any one of its variables is set (to a non-empty value; for `false_words`
platforms, to anything but a false word, so `CI=false` on a desktop does not count) or one of its files
exists. None of these reasons is lifted by the container vouch: the machine is someone else's.

To add one: a `Platform` row in `PLATFORMS` with the page that documents its variable. Only variables a
platform sets itself and a desktop never does belong here (not `AWS_REGION`, not `HOSTNAME`).
`policy.locality_verdict` reads this table; nothing here imports anything beyond the standard library.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Platform", "PLATFORMS", "CI", "HOSTED", "WORKSPACE", "KUBERNETES", "PLATFORM_ENV_NAMES"]

CI = "CI environment"
HOSTED = "serverless or hosted platform"
WORKSPACE = "hosted remote workspace"
KUBERNETES = "Kubernetes pod"


class Platform(NamedTuple):
    """One platform: its name, which reason it gives, the variables or files that mark it, and the source."""

    name: str  # "" for a convention many platforms share (CI=true)
    kind: str
    env: tuple[str, ...]
    source: str
    files: tuple[str, ...] = ()  # relative to the filesystem root
    false_words: bool = False  # "", 0, false, no, off do not count (CI-style booleans)


PLATFORMS: tuple[Platform, ...] = (
    # --- CI services ---------------------------------------------------------------------------------------
    Platform(
        "",  # the convention most CI services follow: the reason names no platform
        CI,
        ("CI", "CONTINUOUS_INTEGRATION"),
        "https://docs.github.com/actions/reference/variables-reference; https://docs.gitlab.com/ci/variables/predefined_variables/",
        false_words=True,
    ),
    Platform(
        "GitHub Actions",
        CI,
        ("GITHUB_ACTIONS",),
        "https://docs.github.com/actions/reference/variables-reference",
        false_words=True,
    ),
    Platform(
        "GitLab CI", CI, ("GITLAB_CI",), "https://docs.gitlab.com/ci/variables/predefined_variables/", false_words=True
    ),
    Platform(
        "Buildkite",
        CI,
        ("BUILDKITE",),
        "https://buildkite.com/docs/pipelines/configure/environment-variables",
        false_words=True,
    ),
    Platform(
        "Jenkins, Hudson or TeamCity",
        CI,
        ("JENKINS_URL", "HUDSON_URL", "BUILD_ID", "BUILD_NUMBER", "TEAMCITY_VERSION"),
        "https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#using-environment-variables; "
        "https://www.jetbrains.com/help/teamcity/predefined-build-parameters.html",
        false_words=True,
    ),
    Platform(
        "Azure Pipelines",
        CI,
        ("TF_BUILD",),
        "https://learn.microsoft.com/azure/devops/pipelines/build/variables",
        false_words=True,
    ),
    Platform("CircleCI", CI, ("CIRCLECI",), "https://circleci.com/docs/reference/variables/", false_words=True),
    Platform("Travis CI", CI, ("TRAVIS",), "https://docs.travis-ci.com/user/environment-variables/", false_words=True),
    Platform(
        "Bitbucket Pipelines",
        CI,
        ("BITBUCKET_BUILD_NUMBER",),
        "https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/",
        false_words=True,
    ),
    Platform(
        "Bamboo",
        CI,
        ("bamboo_buildKey", "bamboo_planKey", "bamboo_buildNumber"),
        "https://confluence.atlassian.com/bamboo/bamboo-variables-289277087.html (exported as bamboo_<name>)",
        false_words=True,
    ),
    Platform(
        "AWS CodeBuild",
        CI,
        ("CODEBUILD_BUILD_ID",),
        "https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html",
        false_words=True,
    ),
    Platform("Drone", CI, ("DRONE",), "https://docs.drone.io/pipeline/environment/reference/", false_words=True),
    Platform("AppVeyor", CI, ("APPVEYOR",), "https://www.appveyor.com/docs/environment-variables/", false_words=True),
    Platform("Semaphore", CI, ("SEMAPHORE",), "https://docs.semaphoreci.com/reference/env-vars", false_words=True),
    Platform("Woodpecker", CI, ("WOODPECKER",), "https://woodpecker-ci.org/docs/usage/environment", false_words=True),
    Platform(
        "GoCD",
        CI,
        ("GO_SERVER_URL",),
        "https://docs.gocd.org/current/faq/dev_use_current_revision_in_build.html",
        false_words=True,
    ),
    Platform(
        "Bitrise",
        CI,
        ("BITRISE_IO",),
        "https://devcenter.bitrise.io/references/available-environment-variables/",
        false_words=True,
    ),
    Platform(
        "Harness CI",
        CI,
        ("HARNESS_BUILD_ID",),
        "https://developer.harness.io/docs/continuous-integration/",
        false_words=True,
    ),
    Platform(
        "Codefresh", CI, ("CF_BUILD_ID",), "https://codefresh.io/docs/docs/pipelines/variables/", false_words=True
    ),
    Platform(
        "Cirrus CI",
        CI,
        ("CIRRUS_CI",),
        "https://cirrus-ci.org/guide/writing-tasks/#environment-variables",
        false_words=True,
    ),
    Platform(
        "Heroku CI",
        CI,
        ("HEROKU_TEST_RUN_ID",),
        "https://devcenter.heroku.com/articles/heroku-ci#environment-variables",
        false_words=True,
    ),
    Platform(
        "Codemagic",
        CI,
        ("CM_BUILD_ID",),
        "https://docs.codemagic.io/yaml-basic-configuration/environment-variables/",
        false_words=True,
    ),
    Platform("Buddy", CI, ("BUDDY",), "https://buddy.works/docs/pipelines/environment-variables", false_words=True),
    Platform(
        "Screwdriver",
        CI,
        ("SCREWDRIVER",),
        "https://docs.screwdriver.cd/user-guide/environment-variables",
        false_words=True,
    ),
    # --- Kubernetes ----------------------------------------------------------------------------------------
    Platform(
        "Kubernetes",
        KUBERNETES,
        ("KUBERNETES_SERVICE_HOST",),
        "https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables; "
        "https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/",
        files=("var/run/secrets/kubernetes.io",),
    ),
    # --- serverless and hosted platforms ---------------------------------------------------------------------
    Platform(
        "AWS Lambda",
        HOSTED,
        ("AWS_LAMBDA_FUNCTION_NAME", "AWS_EXECUTION_ENV"),
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime",
    ),
    Platform(
        "Amazon ECS (Fargate or EC2)",
        HOSTED,
        ("ECS_CONTAINER_METADATA_URI_V4", "ECS_CONTAINER_METADATA_URI", "ECS_AGENT_URI"),
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html",
    ),
    Platform(
        "AWS Batch",
        HOSTED,
        ("AWS_BATCH_JOB_ID", "AWS_BATCH_JQ_NAME"),
        "https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html",
    ),
    Platform(
        "Cloud Run service or Cloud Functions (2nd gen)",
        HOSTED,
        ("K_SERVICE", "K_REVISION", "K_CONFIGURATION"),
        "https://cloud.google.com/run/docs/container-contract#services-env-vars",
    ),
    Platform(
        "Cloud Run job",
        HOSTED,
        ("CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION", "CLOUD_RUN_TASK_INDEX"),
        "https://cloud.google.com/run/docs/container-contract#jobs-env-vars",
    ),
    Platform(
        "Cloud Functions",
        HOSTED,
        ("FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE"),
        "https://cloud.google.com/functions/docs/configuring/env-var#runtime_environment_variables_set_automatically",
    ),
    Platform(
        "App Engine",
        HOSTED,
        ("GAE_APPLICATION", "GAE_SERVICE", "GAE_INSTANCE", "GAE_ENV"),
        "https://cloud.google.com/appengine/docs/standard/python3/runtime#environment_variables",
    ),
    Platform(
        "Azure App Service",
        HOSTED,
        ("WEBSITE_SITE_NAME", "WEBSITE_INSTANCE_ID"),
        "https://learn.microsoft.com/azure/app-service/reference-app-settings",
    ),
    Platform(
        "Azure Functions",
        HOSTED,
        ("FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION"),
        "https://learn.microsoft.com/azure/azure-functions/functions-app-settings",
    ),
    Platform(
        "Azure Container Apps",
        HOSTED,
        ("CONTAINER_APP_NAME", "CONTAINER_APP_REVISION"),
        "https://learn.microsoft.com/azure/container-apps/environment-variables#built-in-environment-variables",
    ),
    Platform(
        "Nomad",
        HOSTED,
        ("NOMAD_ALLOC_ID", "NOMAD_JOB_NAME"),
        "https://developer.hashicorp.com/nomad/docs/reference/runtime-environment-settings",
    ),
    Platform(
        "Vercel",
        HOSTED,
        ("VERCEL",),
        "https://vercel.com/docs/environment-variables/system-environment-variables",
    ),
    Platform("Netlify", HOSTED, ("NETLIFY",), "https://docs.netlify.com/configure-builds/environment-variables/"),
    Platform(
        "Fly.io",
        HOSTED,
        ("FLY_APP_NAME", "FLY_MACHINE_ID", "FLY_ALLOC_ID"),
        "https://fly.io/docs/machines/runtime-environment/",
    ),
    Platform(
        "Railway",
        HOSTED,
        ("RAILWAY_ENVIRONMENT", "RAILWAY_PROJECT_ID", "RAILWAY_SERVICE_ID"),
        "https://docs.railway.com/reference/variables#railway-provided-variables",
    ),
    Platform(
        "Render",
        HOSTED,
        ("RENDER", "RENDER_SERVICE_ID"),
        "https://render.com/docs/environment-variables#all-runtimes",
    ),
    Platform("Heroku", HOSTED, ("DYNO",), "https://devcenter.heroku.com/articles/dynos#local-environment-variables"),
    Platform(
        "Koyeb",
        HOSTED,
        ("KOYEB_APP_NAME", "KOYEB_SERVICE_NAME"),
        "https://www.koyeb.com/docs/reference/environment-variables",
    ),
    Platform(
        "Hugging Face Spaces",
        HOSTED,
        ("SPACE_ID", "SPACE_HOST"),
        "https://huggingface.co/docs/hub/spaces-overview#helper-environment-variables",
    ),
    Platform("Modal", HOSTED, ("MODAL_TASK_ID",), "https://modal.com/docs/guide/environment_variables"),
    # --- hosted development environments and notebooks ----------------------------------------------------------
    Platform(
        "GitHub Codespaces",
        WORKSPACE,
        ("CODESPACES",),
        "https://docs.github.com/codespaces/developing-in-a-codespace/default-environment-variables-for-your-codespace",
        false_words=True,
    ),
    Platform(
        "Gitpod",
        WORKSPACE,
        ("GITPOD_WORKSPACE_ID",),
        "https://www.gitpod.io/docs/configure/projects/environment-variables",
    ),
    Platform(
        "Google Cloud Shell",
        WORKSPACE,
        ("CLOUD_SHELL",),
        "https://cloud.google.com/shell/docs/how-cloud-shell-works",
        false_words=True,
    ),
    Platform("Replit", WORKSPACE, ("REPL_ID",), "https://docs.replit.com/replit-workspace/workspace-features/secrets"),
    Platform(
        "AWS Cloud9", WORKSPACE, ("C9_PROJECT",), "https://docs.aws.amazon.com/cloud9/latest/user-guide/env-vars.html"
    ),
    Platform(
        "Coder",
        WORKSPACE,
        ("CODER_WORKSPACE_NAME", "CODER_WORKSPACE_ID", "CODER_AGENT_URL"),
        "https://coder.com/docs/workspaces/variables",
    ),
    Platform(
        "Google Colab",
        WORKSPACE,
        ("COLAB_RELEASE_TAG", "COLAB_JUPYTER_IP", "COLAB_GPU"),
        "set by Colab's runtime (not documented by Google; what notebook libraries check to detect Colab)",
    ),
    Platform(
        "Kaggle Notebooks",
        WORKSPACE,
        ("KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE"),
        "set by Kaggle's notebook runtime (https://github.com/Kaggle/docker-python)",
    ),
    Platform(
        "Databricks",
        WORKSPACE,
        ("DATABRICKS_RUNTIME_VERSION",),
        "https://docs.databricks.com/aws/en/release-notes/runtime/ (every cluster sets it)",
    ),
    Platform(
        "Amazon SageMaker training job",
        HOSTED,
        ("SM_CURRENT_HOST", "SM_TRAINING_ENV"),
        "https://github.com/aws/sagemaker-training-toolkit/blob/master/ENVIRONMENT_VARIABLES.md",
    ),
)

#: Every environment variable the table reads.
PLATFORM_ENV_NAMES: tuple[str, ...] = tuple(dict.fromkeys(name for platform in PLATFORMS for name in platform.env))

from tests.engine.conftest import engine, gitlab  # noqa: F401 - the stand-ins behind the lifecycle tests

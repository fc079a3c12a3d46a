# tests/local.mk - owned by its folder's author; append sources with +=

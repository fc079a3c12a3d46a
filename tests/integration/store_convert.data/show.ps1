Get-MigrationEndpoint | Format-List *
Get-MigrationBatch | Format-List *
Get-MigrationUser | Format-List *
Get-MigrationUser | Get-MigrationUserStatistics -IncludeReport | Format-List *
Get-MigrationStatistics | Format-List *
Get-MigrationConfig | Format-List MaxNumberOfBatches,MaxConcurrentMigrations,IncrementalSyncInterval,BatchCount

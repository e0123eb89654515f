def execute():
	pass

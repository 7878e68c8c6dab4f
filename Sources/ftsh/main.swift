print("ftsh")
